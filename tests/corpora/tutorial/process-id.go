// Every process has an ID assigned by the operating
// system; it's different every time the program runs.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("pid:", os.Getpid())
	fmt.Println("parent pid:", os.Getppid())
}
