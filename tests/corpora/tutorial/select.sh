$ time go run select.go
received one
received two

real	0m0.655s
user	0m0.136s
sys	0m0.088s
