$ go run for.go
1
2
3
0
1
2
range 0
range 1
range 2
1
3
5
