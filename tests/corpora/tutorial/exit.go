// Use `os.Exit` to immediately exit with a given status.
// Deferred functions are NOT run when using os.Exit.
package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("!")

	fmt.Println("exiting with status 3")
	os.Exit(3)
}
