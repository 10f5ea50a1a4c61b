// Throughout program execution, we often want to create
// data that isn't needed after the program exits. The
// temp file's name gets a random suffix.
package main

import (
	"fmt"
	"os"
)

func main() {
	f, err := os.CreateTemp("", "sample")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())

	fmt.Println("Temp file name:", f.Name())

	n, _ := f.Write([]byte{1, 2, 3, 4})
	fmt.Println("wrote", n, "bytes")
	f.Close()
}
