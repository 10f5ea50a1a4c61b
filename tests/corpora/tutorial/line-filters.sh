$ printf 'hello\nfilter\n' | go run line-filters.go
HELLO
FILTER
