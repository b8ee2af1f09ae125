// Package contract holds the contract test that runs HubSpot's official Node SDK against the simulator
// (contract.test.mjs); contract_test.go starts the simulator and runs it with node --test.
package contract
