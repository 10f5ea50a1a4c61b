$ go run channels.go
ping
square: 1
square: 4
square: 9
square: 16
