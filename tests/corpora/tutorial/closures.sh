$ go run closures.go
1
2
3
1
