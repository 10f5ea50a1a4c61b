$ go run arrays.go
emp: [0 0 0 0 0]
set: [0 0 0 0 100]
get: 100
len: 5
b: [1 2 3 4 5]
c: [99 2 3 4 5]
2d: [[0 1 2] [1 2 3]]
