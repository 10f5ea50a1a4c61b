package main

import (
	"fmt"
	"time"
)

func main() {
	seconds := 5
	d := seconds * time.Second //error: invalid operation: seconds * time.Second (mismatched types int and time.Duration)
	fmt.Println(d)
}
