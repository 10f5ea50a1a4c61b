$ go run seeded-random.go
76,61
76,61
[K 10 A Q J]
