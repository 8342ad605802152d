// The app's storage account: the Durable Functions task hub, the case register and audit trail (tables), the staged
// records (blobs; the finished exports are in the exports account, exports.bicep), the Graph notification queue, and the deployment package. No shared keys: every
// caller uses Entra ID.
param name string
param location string
param tags object

@description('Principal id of the app identity that gets the data roles.')
param appPrincipalId string

@description('Redundancy of the records (register, audit trail, task hub): zone- or geo-redundant, never LRS (decision 68).')
@allowed([ 'Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS' ])
param skuName string

@description('Container holding the Function App deployment package (Flex Consumption).')
param deploymentContainerName string

@description('Log Analytics workspace that receives the storage audit logs.')
param workspaceId string

@description('One public IP address let through the firewall for a maintenance run; empty: public access off.')
param operatorIpAddress string

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    defaultToOAuthAuthentication: true
    // Reached from the app's network through private endpoints (network.bicep); from nowhere else unless ops name one
    // address for a maintenance run (operatorIpAddress). No trusted-service bypass.
    publicNetworkAccess: empty(operatorIpAddress) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      ipRules: empty(operatorIpAddress) ? [] : [ { value: operatorIpAddress, action: 'Allow' } ]
    }
    sasPolicy: {
      expirationAction: 'Log'
      sasExpirationPeriod: '0.01:00:00'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Soft delete one day (the shortest Azure allows): a deleted export or staged record (its link ended, an erasure) is
    // then really gone the next day, while an operator's mistake on the key ring or the task hub can still be undone.
    deleteRetentionPolicy: { enabled: true, days: 1 }
    containerDeleteRetentionPolicy: { enabled: true, days: 1 }
    // No versions, change feed or point-in-time restore (decision 68): each would keep an erased record restorable.
    isVersioningEnabled: false
    changeFeed: { enabled: false }
    restorePolicy: { enabled: false }
  }
}

resource stagingContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobs
  name: 'staging'
  properties: { publicAccess: 'None' }
}

// The stores' files (CVs) are not here but in an account of their own that sends no resource logs (storefiles.bicep,
// decision 173): their blobs are named after their files, and so often after people.

// The audit chain's heads: one append blob per case, a line per event (sequence and hash, no personal data), so a
// deleted tail of the audit table shows (issue 18, decision 66). Write once: appends are allowed, nothing in it can be
// deleted or rewritten for 7 years (longer than a case and its trail are kept). Unlocked, so ops can still fix the
// period; lock it once checked (docs/deploy.md): a locked policy cannot be removed, not even by an owner.
resource auditHeadsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobs
  name: 'audit-heads'
  properties: { publicAccess: 'None' }
}

resource auditHeadsWorm 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2026-06-01' = {
  parent: auditHeadsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: 2557
    allowProtectedAppendWrites: true
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

// The records staged for an export are copies of personal data. The app deletes them as soon as the zip is written (and
// when the person's data are erased); this rule is the backstop for any it could not delete. It must outlast the wait
// for staff to review an access export's free text (Art. 15(4)), which has no timer: an answer is due at most three
// months after receipt (Art. 12(3), extended), so 100 days (decision 96). A review left past that fails the case, and a
// staff retry collects again. (The zips have their own rule in the exports account.)
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-staged-records'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ '${stagingContainer.name}/' ] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 100 } } }
          }
        }
      ]
    }
  }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource casesTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tables
  name: 'PrivacyCases'
}

resource usedTokensTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tables
  name: 'PrivacyUsedTokens'
}

resource auditTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tables
  name: 'PrivacyAudit'
}

// The submission limits' counters, shared by every instance (keyed hashes; rows of ended windows swept hourly).
resource submissionLimitsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = {
  parent: tables
  name: 'submissionlimits'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

// Graph notifications are queued here and handled by the queue trigger; failures end in mail-inbound-poison.
resource mailInboundQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-06-01' = {
  parent: queues
  name: 'mail-inbound'
}

// Blob data: Storage Blob Data Contributor on each container the app writes, never on the account (issue 19): the app's
// own (staging, audit heads, key ring, mail state, store files), the deployment package (the platform uploads and reads
// it as this identity), the Functions host's (locks, timer schedules, keys) and the Durable task hub's (partition and
// app leases, large messages; named after host.json's hubName, lower case). A scope needs its container to exist, so
// the template creates them all; a container the code adds must be added here (DeploymentTemplateTests checks the list).
// No Storage Blob Delegator here: download links point at the exports account only.
// Table and queue data stay on the account (decision 67): everything in them is the app's (register, audit trail,
// tokens, the mail queue and its poison queue, the task hub's tables and its control queues, one per partition).
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// The first three are declared above with their own settings; the rest are created here.
var writableContainers = [
  'staging'
  'audit-heads'
  deploymentContainerName
  'dataprotection-keys'
  'mail-state'
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
  'infomatprivacy-leases'
  'infomatprivacy-applease'
  'infomatprivacy-largemessages'
]

resource runtimeContainerResources 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = [for name in skip(writableContainers, 3): {
  parent: blobs
  name: name
  properties: { publicAccess: 'None' }
}]

resource writable 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' existing = [for name in writableContainers: {
  parent: blobs
  name: name
}]

resource blobRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in writableContainers: {
  name: guid(writable[i].id, appPrincipalId, blobDataContributor)
  scope: writable[i]
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
  }
  dependsOn: [ stagingContainer, auditHeadsContainer, deploymentContainer, runtimeContainerResources ]
}]

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, tableDataContributor)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributor)
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, queueDataContributor)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueDataContributor)
  }
}

// Who wrote or deleted what (exports, register, audit): kept in the workspace. Read logs are left out on purpose:
// each download is already an audit event of the case.
#disable-next-line use-recent-api-versions // the only GA version (2016-09-01) has no category groups or scope
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobs
  properties: {
    workspaceId: workspaceId
    logs: [ { category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true } ]
  }
}

#disable-next-line use-recent-api-versions // see blobDiagnostics
resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: tables
  properties: {
    workspaceId: workspaceId
    logs: [ { category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true } ]
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
