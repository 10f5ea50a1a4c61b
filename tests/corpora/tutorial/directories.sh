$ go run directories.go
Listing subdir...
  child true
  file1 false
  file2 false
  file3 false
