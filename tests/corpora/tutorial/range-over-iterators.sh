$ go run range-over-iterators.go
1 1 2 3 5 8 13 21 34 
