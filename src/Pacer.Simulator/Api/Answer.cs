using Pacer.Simulator.Faults;
using Pacer.Simulator.Limits;
using Pacer.Simulator.Messages;

namespace Pacer.Simulator.Api;

/// <summary>An admitted request about to be answered: its reply, its input usage, its output lease and its fault.</summary>
internal sealed record Answer(ApiCall Call, MessageRequest Request, Reply Reply, InputUsage Usage, OutputLease Lease, FaultStep Fault, string MessageId);
