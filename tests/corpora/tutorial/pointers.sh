$ go run pointers.go
initial: 1
zeroval: 1
zeroptr: 0
pointer: 0x3865fc906008
