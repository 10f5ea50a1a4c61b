// It's possible to use custom types as errors by
// implementing the Error() method. errors.As finds the
// first error in a chain that matches a target type.
package main

import (
	"errors"
	"fmt"
)

type argError struct {
	arg     int
	message string
}

func (e *argError) Error() string {
	return fmt.Sprintf("%d - %s", e.arg, e.message)
}

func f(arg int) (int, error) {
	if arg == 42 {
		return -1, &argError{arg, "can't work with it"}
	}
	return arg + 3, nil
}

func main() {
	_, err := f(42)
	wrapped := fmt.Errorf("calling f: %w", err)
	fmt.Println(wrapped)

	var ae *argError
	if errors.As(wrapped, &ae) {
		fmt.Println(ae.arg)
		fmt.Println(ae.message)
	} else {
		fmt.Println("err doesn't match argError")
	}
}
