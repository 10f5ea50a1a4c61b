$ go run closures-in-loops.go
3
3
3
