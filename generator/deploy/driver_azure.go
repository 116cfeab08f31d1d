package deploy

// Azure Blob Storage: azblob://CONTAINER. Credentials: AZURE_STORAGE_ACCOUNT
// with AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or
// AZURE_STORAGE_CONNECTION_STRING, else the Azure identity chain.

import "gocloud.dev/blob/azureblob"

func init() { schemes = append(schemes, azureblob.Scheme) }
