$ go run values.go
golang
1+1 = 2
7.0/3.0 = 2.3333333333333335
false
true
false
