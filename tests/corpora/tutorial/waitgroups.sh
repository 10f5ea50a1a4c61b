$ go run waitgroups.go
Worker 5 starting
Worker 1 starting
Worker 2 starting
Worker 3 starting
Worker 4 starting
Worker 1 done
Worker 5 done
Worker 2 done
Worker 3 done
Worker 4 done
