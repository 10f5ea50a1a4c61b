$ go run exit.go
exiting with status 3
exit status 3
$ go build exit.go
$ ./exit
exiting with status 3
$ echo $?
3
