$ go run string-builder.go
3...2...1...ignition
length: 20
