$ go run generics.go
index of zoo: 2
list: [10 13 23]
