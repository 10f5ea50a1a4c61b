$ go run closing-channels.go
received job 1
received job 2
received job 3
received all jobs
received more jobs: false
