using Anthropic.Models.Messages;
using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>The answer of a tracked call: the message, and the usage record the ledger keeps for it.</summary>
/// <param name="Message">The message as the API returned it.</param>
/// <param name="Usage">Who, what, attempts, tokens, cost and credits of the call.</param>
public sealed record TrackedMessage(Message Message, UsageRecord Usage);
