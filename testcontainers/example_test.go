package sandbank_test

import (
	"context"
	"fmt"
	"log"

	"github.com/testcontainers/testcontainers-go"

	sandbank "github.com/sandbank/sandbank/testcontainers"
)

// Start sandbank, take a tenant, and print what a client needs. (Not run
// by go test: it needs Docker and the image; the tests run the same calls.)
func ExampleRun() {
	ctx := context.Background()
	ctr, err := sandbank.Run(ctx, "sandbank:dev",
		sandbank.WithSeed(42),
		sandbank.WithIdempotencyProfile("stripe"),
		sandbank.WithWebhookRetrySpeed(60), // webhook retries: minutes become seconds
		sandbank.WithLibraryScenario("commit-then-reset"),
	)
	defer func() {
		if err := testcontainers.TerminateContainer(ctr); err != nil {
			log.Printf("terminating sandbank: %v", err)
		}
	}()
	if err != nil {
		log.Printf("starting sandbank: %v", err)
		return
	}
	baseURL, err := ctr.BaseURL(ctx)
	if err != nil {
		log.Printf("sandbank's URL: %v", err)
		return
	}
	key := ctr.NewTenant()
	fmt.Println("SANDBANK_BASE_URL=" + baseURL)
	fmt.Println("SANDBANK_API_KEY=" + key)
}
