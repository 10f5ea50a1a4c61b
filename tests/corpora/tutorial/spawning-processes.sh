$ go run spawning-processes.go
> date
Thu Mar 14 10:33:18 PDT 2024
date -x failed with exit code 1
