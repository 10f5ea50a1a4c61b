$ go run stdout-and-stderr.go
processing a.txt
warning: skipping b.txt
processing c.txt
done with 1 warning
