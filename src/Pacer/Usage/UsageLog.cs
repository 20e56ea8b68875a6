using Microsoft.Extensions.Logging;

namespace Pacer.Usage;

/// <summary>The usage ledger's log messages (source-generated). The cost lines are the seed's, character for character.</summary>
internal static partial class UsageLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "💰 Cost calculated for {Model}{Batch}:")]
    public static partial void CostCalculated(ILogger logger, string model, string batch);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "   {Kind} tokens: {Tokens} @ ${PricePerMillion:0.00######}/1M = ${Cost:0.0000##########}")]
    public static partial void TokenCost(ILogger logger, string kind, int tokens, decimal pricePerMillion, decimal cost);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "   Total cost: ${TotalCost:0.0000##########} ({Credits} {CreditUnit})")]
    public static partial void TotalCost(ILogger logger, decimal totalCost, long credits, string creditUnit);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "💰 No price for model {Model}: its {InputTokens} input and {OutputTokens} output tokens are recorded with cost unknown. Add the model to the price book ({PriceBookSource}).")]
    public static partial void UnknownModel(ILogger logger, string model, int inputTokens, int outputTokens, string priceBookSource);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Usage ledger buffer full for {WaitMs} ms: usage record of {User} {Endpoint} {RequestId} dropped ({Dropped} dropped so far).")]
    public static partial void RecordDropped(ILogger logger, long waitMs, string user, string endpoint, string? requestId, long dropped);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Error, Message = "Usage ledger write of {Count} records failed; retrying in {RetryMs} ms.")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int count, long retryMs);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Usage ledger {Store} ready (schema version {Version}).")]
    public static partial void LedgerOpened(ILogger logger, string store, int version);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "Usage ledger closed with {Count} records unwritten.")]
    public static partial void RecordsLostOnClose(ILogger logger, int count);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Error, Message = "Usage of a request to {Endpoint} could not be recorded.")]
    public static partial void RecordFailed(ILogger logger, Exception exception, string endpoint);
}
