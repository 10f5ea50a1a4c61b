$ go run temporary-files.go
Temp file name: /tmp/sample4120839697
wrote 4 bytes
