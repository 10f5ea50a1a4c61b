$ go run functions.go
1+2 = 3
1+2+3 = 6
3 7
7
[1 2] 3
[1 2 3] 6
[1 2 3 4] 10
