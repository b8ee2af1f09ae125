package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// PropertiesService reads CRM property definitions, e.g. the labels of lifecycle stages.
type PropertiesService service

// Property is a CRM property definition.
type Property struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Type        string `json:"type"`
	FieldType   string `json:"fieldType"`
	GroupName   string `json:"groupName"`
	Description string `json:"description"`
	// Options are the values of an enumeration property (e.g. lifecyclestage), in no guaranteed order.
	Options        []PropertyOption `json:"options"`
	Hidden         bool             `json:"hidden"`
	HubspotDefined bool             `json:"hubspotDefined"`
	Archived       bool             `json:"archived"`
	CreatedAt      time.Time        `json:"createdAt"`
	UpdatedAt      time.Time        `json:"updatedAt"`
}

// PropertyOption is one value of an enumeration property: Value is what records store, Label what people read.
type PropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// OptionLabel returns the label of the option whose value is value, or value itself when there is none (a
// custom or deleted option is shown as stored).
func (p *Property) OptionLabel(value string) string {
	if p != nil {
		for _, o := range p.Options {
			if o.Value == value && o.Label != "" {
				return o.Label
			}
		}
	}
	return value
}

// Object types for PropertiesService.Get.
const (
	ObjectTypeContacts = "contacts"
	ObjectTypeNotes    = "notes"
)

// PropLifecycleStage is the contact property holding the lifecycle stage's internal value.
const PropLifecycleStage = "lifecyclestage"

// Get fetches the definition of one property of objectType ("contacts"), e.g. Get(ctx, "contacts",
// "lifecyclestage") for the stage labels.
func (s *PropertiesService) Get(ctx context.Context, objectType, name string) (*Property, *Response, error) {
	if objectType == "" || name == "" {
		return nil, nil, errors.New("hubspot: get property: empty object type or name")
	}
	req, err := s.client.NewRequest(http.MethodGet, s.client.propertyPath(objectType, name), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: get property: %w", err)
	}
	p := new(Property)
	resp, err := s.client.Do(ctx, req, p)
	if err != nil {
		return nil, resp, fmt.Errorf("hubspot: get property: %w", err)
	}
	return p, resp, nil
}
