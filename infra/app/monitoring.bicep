// Log Analytics and Application Insights (Entra-only ingestion: the app's identity publishes with Monitoring Metrics
// Publisher), and the alerts ops asked for: a case that failed, cases past their legal due date, a case closed because
// the mail service refused its address (or reported its link bounced), other requester mail that bounced, data past
// its retention the sweep could not delete, and mailbox work that failed every try.
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

var addressRefusedQuery = '''
AppMetrics
| where Name == "privacy.cases.address_refused"
| summarize Refused = sum(Sum)
'''

// Requester mail SendGrid took and later reported as bounced (decision 148), other than a link whose address was at
// fault (that closes its case and counts as address-refused): the requester did not get it (an answer, a notice).
var bouncedQuery = '''
AppMetrics
| where Name == "privacy.mail.bounced"
| summarize Bounced = sum(Sum)
'''

// A mail of ours a receiving server reported undelivered in a report that reached the mailbox: staff mail goes out
// through the mailbox, so a wrong, removed or full staff mailbox shows only here.
var ownUndeliveredQuery = '''
AppMetrics
| where Name == "privacy.mail.own_undelivered"
| summarize Undelivered = sum(Sum)
'''

// Records the hourly sweep could not check or delete (a storage fault; a case whose audit trail does not verify, kept
// for staff): personal data that may be kept longer than the privacy notice says (decision 149).
var notSweptQuery = '''
AppMetrics
| where Name == "privacy.retention.not_swept"
| summarize NotSwept = sum(Sum)
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

// A case the mail service refused the address of is closed at once, without action and without a person looking
// (decision 141): a requester who wrote by mail cannot be told, and many at once point at the mail service.
resource addressRefusedAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-case-address-refused'
  location: location
  tags: tags
  properties: {
    displayName: 'Privacy request closed: the mail service refused the address'
    description: 'The mail service refused the requester\'s address for good, or reported that the link to confirm it bounced, so the address could not be confirmed and the request was closed without being acted on. Open /cases: such a case is listed as expired, and its page says when and why. A requester who wrote by mail cannot be told by this system; several at once: check the mail service.'
    severity: 2
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: addressRefusedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Refused'
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

resource bouncedMailAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-mail-bounced'
  location: location
  tags: tags
  properties: {
    displayName: 'Mail to a requester bounced'
    description: 'SendGrid reported that a mail to a requester (an acknowledgement, an answer, a notice, or a link refused for a reason other than its address) could not be delivered, so the requester did not get it. The case page says which mail, when and SendGrid\'s class; the app\'s warning "reported its ... mail to the requester bounced" in AppTraces names the case. Reach the requester another way if there is one (a reply from the info@infomat.eu mailbox can arrive only when the class is not about the address); for a content, reputation or technical class, check the mail service first.'
    severity: 2
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: bouncedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Bounced'
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

resource ownUndeliveredAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-own-mail-undelivered'
  location: location
  tags: tags
  properties: {
    displayName: 'A mail of the privacy app was not delivered (staff mailbox?)'
    description: 'A receiving mail server sent the info@infomat.eu mailbox a report that a mail of the app could not be delivered. Staff mail (approval requests, tasks, reminders, triage) goes out through that mailbox, so this is how a wrong, removed or full staff mailbox shows: until it is fixed, staff get none of it. The app\'s error "was reported undelivered" in AppTraces names the kind of mail; the report itself is in the mailbox. Check Privacy:Staff:Address (PRIVACY_STAFF_ADDRESS) and that mailbox, then look at the case list for work that waited.'
    severity: 1
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: ownUndeliveredQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Undelivered'
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

resource notSweptAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-retention-not-swept'
  location: location
  tags: tags
  properties: {
    displayName: 'Data past its retention could not be deleted'
    description: 'The hourly retention sweep could not check or delete records whose time may be over (a zip, staged records, a case and its audit trail, intake markers, submission counters), so personal data may be kept longer than the privacy notice says. The sweep\'s warnings "could not be swept" in AppTraces name the case (or the kind of record) and the error\'s type; a storage fault is tried again every hour, and this alert fires while it lasts. "audit chain does not verify" (an error) means a case was kept on purpose: its trail may have been altered, so look at it (verify-audit) before anything else; it is kept and counted at every run until someone removes it by hand.'
    severity: 2
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT6H'
    windowSize: 'PT6H'
    criteria: {
      allOf: [
        {
          query: notSweptQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'NotSwept'
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
    description: 'A mail or mailbox sweep failed five times and is in the mail-inbound-poison queue, where it stays (no function reads that queue); staff were told for a mail, unless that mail failed too (AppTraces: "the staff mail naming it could not be sent"). Check the HandleInboundMail errors, fix the cause, then run scripts/redrive-mail.sh to move the items back to mail-inbound.'
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

// The counters above come from the app itself; when a function fails outright (or the one that would count), only the
// host's request telemetry shows it (issue 19). Function names as in src/Infomat.Functions (DeploymentTemplateTests
// checks them against the compiled app): every timer and the orchestrator. The poison queue has no handler: its items
// stay there for the redrive, and the counter above counts each as it lands.
var failedRunsQueries = [
  {
    name: 'alert-privacy-timer-failed'
    displayName: 'A scheduled run failed (timer function)'
    description: 'A timer function failed: reconciling cases, the retention sweep, ended holds, case maintenance (reminders, overdue flags), the mailbox sweep or the Graph subscription. AppExceptions for that operation has the error; the next run retries, but a run that keeps failing stops deadlines, erasures or mail intake.'
    severity: 1
    query: '''
AppRequests
| where Name in ("ReconcileCases", "PurgeEndedHolds", "RetentionSweep", "CaseMaintenance", "RenewMailSubscription", "SweepMailbox")
| where Success == false
| summarize Failed = count()
'''
  }
  {
    name: 'alert-privacy-orchestration-failed'
    displayName: 'A privacy request orchestration failed'
    description: 'The orchestrator of a privacy request threw (AppExceptions has the error, by instance id). ReconcileCases starts it again from the register; after three restarts the case is flagged Failed (the other alert) and waits for Retry on its case page.'
    severity: 2
    query: '''
AppRequests
| where Name == "PrivacyRequestOrchestrator"
| where Success == false
| summarize Failed = count()
'''
  }
]

resource failedRunsAlerts 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [for rule in failedRunsQueries: {
  name: rule.name
  location: location
  tags: tags
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [ workspace.id ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: rule.query
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
}]

output workspaceId string = workspace.id
output applicationInsightsName string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
