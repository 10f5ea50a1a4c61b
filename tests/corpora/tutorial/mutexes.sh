$ go run mutexes.go
map[a:20000 b:10000]
