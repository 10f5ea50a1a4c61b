$ go run hello-world.go
hello world
$ go build hello-world.go
$ ls
hello-world
hello-world.go
$ ./hello-world
hello world
