// Sometimes our Go programs need to spawn other, non-Go
// processes. Here we run the `date` command and print
// what it wrote.
package main

import (
	"fmt"
	"os/exec"
)

func main() {
	dateCmd := exec.Command("date")

	dateOut, err := dateCmd.Output()
	if err != nil {
		panic(err)
	}
	fmt.Println("> date")
	fmt.Print(string(dateOut))

	_, err = exec.Command("date", "-x").Output()
	if e, ok := err.(*exec.ExitError); ok {
		fmt.Println("date -x failed with exit code", e.ExitCode())
	}
}
