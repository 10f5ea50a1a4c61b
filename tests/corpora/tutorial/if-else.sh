$ go run if-else.go
7 is odd
8 is divisible by 4
9 has 1 digit
