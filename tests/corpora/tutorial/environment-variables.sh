$ go run environment-variables.go
FOO: 1
BAR: 
GREETING is not set
$ GREETING=hello BAR=2 go run environment-variables.go
FOO: 1
BAR: 2
GREETING is set to hello
