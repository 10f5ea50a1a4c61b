$ go run index-out-of-range.go
len: 3
panic: runtime error: index out of range

goroutine 1 [running]:
main.main()
	/Users/mark/gobyexample/examples/index-out-of-range/index-out-of-range.go:11 +0x1d
exit status 2
