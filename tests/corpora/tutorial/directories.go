// Go has several useful functions for working with
// directories in the file system. We work inside a fresh
// temporary directory, which we remove when done.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dir, err := os.MkdirTemp("", "subdir")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	for _, name := range []string{"file2", "file1", "file3"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0644)
	}
	os.Mkdir(filepath.Join(dir, "child"), 0755)

	entries, _ := os.ReadDir(dir)
	fmt.Println("Listing", filepath.Base(dir)[:6]+"...")
	for _, e := range entries {
		fmt.Println(" ", e.Name(), e.IsDir())
	}
}
