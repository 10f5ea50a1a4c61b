// _Environment variables_ are a universal mechanism for
// conveying configuration information to Unix programs.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Setenv("FOO", "1")
	fmt.Println("FOO:", os.Getenv("FOO"))
	fmt.Println("BAR:", os.Getenv("BAR"))

	if v, ok := os.LookupEnv("GREETING"); ok {
		fmt.Println("GREETING is set to", v)
	} else {
		fmt.Println("GREETING is not set")
	}
}
