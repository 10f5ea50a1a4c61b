$ go run runtime-info.go
os: linux
goroutines: 1
goroutines: 4
