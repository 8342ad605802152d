// Log Analytics and Application Insights (Entra-only ingestion: the app's identity publishes with Monitoring Metrics
// Publisher), and the two alerts ops asked for: a case that failed, and cases past their legal due date.
param logAnalyticsName string
param applicationInsightsName string
param actionGroupName string
param location string
param tags object

@description('Principal id of the app identity that publishes telemetry.')
param appPrincipalId string

@description('Where alerts are mailed (ops or the privacy team). Empty: alerts fire in the portal only.')
param alertEmail string

@description('Days Log Analytics keeps logs.')
@minValue(30)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionInDays
    sku: { name: 'PerGB2018' }
    features: { disableLocalAuth: true }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
    DisableIpMasking: false
    IngestionMode: 'LogAnalytics'
  }
}

// Monitoring Metrics Publisher: lets the identity send telemetry when local (key) authentication is off.
var metricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource publisherRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, metricsPublisher)
  scope: appInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisher)
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'privacy'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [ { name: 'privacy-ops', emailAddress: alertEmail, useCommonAlertSchema: true } ]
  }
}

// The app counts these in its meter "Infomat.Privacy" (ids and counts only). A failed case is flagged once, when its
// status becomes Failed; the daily sweep counts each case that passes its due date once.
var failedQuery = '''
AppMetrics
| where Name == "privacy.cases.failed"
| summarize Failed = sum(Sum)
'''

var overdueQuery = '''
AppMetrics
| where Name == "privacy.cases.overdue"
| summarize Overdue = sum(Sum)
'''

resource failedCasesAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-case-failed'
  location: location
  tags: tags
  properties: {
    displayName: 'Privacy request failed (orchestration flagged Failed)'
    description: 'A privacy request could not be completed and waits for staff: open /cases (failed cases are listed with the open ones), fix the cause, then press Retry on the case page.'
    severity: 1
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: failedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failed'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    actions: { actionGroups: [ actionGroup.id ] }
  }
}

resource overdueCasesAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-case-overdue'
  location: location
  tags: tags
  properties: {
    displayName: 'Privacy request past its legal due date'
    description: 'The daily case sweep found a case past its GDPR due date: open /cases (overdue cases come first).'
    severity: 2
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT6H'
    windowSize: 'PT6H'
    criteria: {
      allOf: [
        {
          query: overdueQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Overdue'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    actions: { actionGroups: [ actionGroup.id ] }
  }
}

// A mailbox work item (a mail to read, a sweep) that failed five times lands in mail-inbound-poison; the app counts it
// (and tells staff for a mail). Ops look at the error, fix the cause and move the item back to mail-inbound.
var poisonedQuery = '''
AppMetrics
| where Name == "privacy.mail.poisoned"
| summarize Poisoned = sum(Sum)
'''

resource poisonedMailAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-mail-poisoned'
  location: location
  tags: tags
  properties: {
    displayName: 'Mail to info@ could not be handled (poison queue)'
    description: 'A mail or mailbox sweep failed five times and is in the mail-inbound-poison queue; staff were told for a mail. Check the HandleInboundMail errors, fix the cause, move the item back to mail-inbound.'
    severity: 1
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: poisonedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Poisoned'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: false
    actions: { actionGroups: [ actionGroup.id ] }
  }
}

output workspaceId string = workspace.id
output applicationInsightsName string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
