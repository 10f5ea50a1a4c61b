$ go run time-elapsed.go
result: 14999995
took 25.049054ms
took 25.0ms (rounded)
