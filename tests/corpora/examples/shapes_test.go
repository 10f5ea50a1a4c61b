package shapes

import (
	"fmt"
	"testing"
)

func TestSquareArea(t *testing.T) {
	if got := Square(3).Area(); got != 9 {
		t.Errorf("Square(3).Area() = %v, want 9", got)
	}
}

func TestParseError(t *testing.T) {
	if _, err := Parse("triangle"); err == nil {
		t.Error("expected an error for triangle")
	}
}

// An example in the internal test package, with a method suffix
// and a lower-case variant name after the underscore.
func ExampleRect_Area_unit() {
	fmt.Println(Rect{Width: 2, Height: 2.5}.Area())
	// Output: 5
}

func ExampleCountByKind_unordered() {
	counts := CountByKind([]Shape{Circle{1}, Circle{2}, Square(1)})
	for k, v := range counts {
		fmt.Printf("%s=%d\n", k, v)
	}
	// Unordered output:
	// Circle=2
	// Rect=1
}
