$ go run switch.go
Write 2 as two
I'm a bool
I'm an int
Don't know type string
