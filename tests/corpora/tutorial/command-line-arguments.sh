$ go build command-line-arguments.go
$ ./command-line-arguments a b c d
[a b c d]
c
4 arguments
$ go run command-line-arguments.go x y z
[x y z]
z
3 arguments
