$ go run structs.go
{Bob 20}
{Alice 30}
{Fred 0}
&{Ann 40}
&{Jon 42}
Sean
51
{name:Sean age:51}
main.person{name:"Sean", age:51}
