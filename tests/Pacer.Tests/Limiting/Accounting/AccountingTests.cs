using Pacer.Limiting;
using Rules = Pacer.Limiting.Accounting;

namespace Pacer.Tests.Limiting.Accounting;

/// <summary>
/// The accounting rules as a table: for each event and each <see cref="ServerCount"/>, the exact change to a bucket's
/// budgets. One request throughout: it asked 1000 input tokens and 500 <c>max_tokens</c> and holds 200 against the
/// learned output budget; it used 1000 input tokens, wrote 200 to the cache (read 5000 from it) and produced 100.
/// </summary>
public sealed class AccountingTests
{
    private static readonly RequestCost Reserved = new(1000, 500) { LearnedOutputTokens = 200 };
    private static readonly TokenUsage Usage = new(1000, 100, CacheCreationInputTokens: 200, CacheReadInputTokens: 5000);

    // Once completed, a request holds what it used (1200 rate-limited input tokens, 100 output).
    private static readonly RequestCost Used = new(1200, 100);

    public static TheoryData<RequestCost, TokenUsage, ServerCount, BudgetChange> CompleteRows =>
    [
        Row(
            "Complete, nothing counted: the input (+200) and the learned output (-100) are charged their difference and stay unconfirmed",
            Reserved, Usage, ServerCount.None, Change(input: new(200, 200), output: new(-100, -100), operatorInput: 200, operatorOutput: -400)),
        Row(
            "Complete, request and input counted: the learned input stays as the server showed it, the learned output is refunded and stays unconfirmed",
            Reserved, Usage, ServerCount.RequestAndInput, Change(output: new(-100, -100), operatorInput: 200, operatorOutput: -400)),
        Row(
            "Complete, everything counted: the learned output is refunded within the server's room and is no longer unconfirmed",
            Reserved, Usage, ServerCount.Everything, Change(output: new(-100, 0), operatorInput: 200, operatorOutput: -400) with { OutputRefundWithinRoom = true }),
        Row(
            "Complete, output counted as produced: the learned budgets stay as the server showed them, the output's difference (-100) is a settlement for a store that keeps its own count",
            Reserved, Usage, ServerCount.Produced, Change(operatorInput: 200, operatorOutput: -400) with { OutputSettlement = -100 }),
        Row(
            "Complete above the learned output hold, nothing counted: the excess output (+500) is charged and stays unconfirmed",
            Reserved, Usage with { OutputTokens = 700 }, ServerCount.None, Change(input: new(200, 200), output: new(500, 500), operatorInput: 200, operatorOutput: 200)),
        Row(
            "Complete above the learned output hold, everything counted: the excess output is charged and nothing is unconfirmed",
            Reserved, Usage with { OutputTokens = 700 }, ServerCount.Everything, Change(output: new(500, 0), operatorInput: 200, operatorOutput: 200) with { OutputRefundWithinRoom = true }),
        Row(
            "Complete with cache reads and no cache writes, nothing counted: cache reads count against no budget",
            Reserved, new TokenUsage(1000, 100, CacheReadInputTokens: 50_000), ServerCount.None, Change(input: new(0, 0), output: new(-100, -100), operatorInput: 0, operatorOutput: -400)),
    ];

    public static TheoryData<RequestCost, bool, ServerCount, BudgetChange> ReleaseRows =>
    [
        Row(
            "Release before completion, nothing counted: every token goes back and nothing stays unconfirmed, the request still counts",
            Reserved, false, ServerCount.None, Change(requests: new(0, -1), input: new(-1000, -1000), output: new(-200, -200), operatorInput: -1000, operatorOutput: -500)),
        Row(
            "Release before completion, request and input counted: the server keeps the request and its input, the learned output goes back",
            Reserved, false, ServerCount.RequestAndInput, Change(output: new(-200, -200), operatorInput: -1000, operatorOutput: -500)),
        Row(
            "Release before completion, everything counted: the server keeps the output reservation too, only the operator budgets refund",
            Reserved, false, ServerCount.Everything, Change(operatorInput: -1000, operatorOutput: -500)),
        Row(
            "Release before completion, output counted as produced: the server keeps what it counted, only the operator budgets refund",
            Reserved, false, ServerCount.Produced, Change(operatorInput: -1000, operatorOutput: -500)),
        Row(
            "Release after completion, nothing counted: what it used leaves the unconfirmed totals and stays spent",
            Used, true, ServerCount.None, Change(requests: new(0, -1), input: new(0, -1200), output: new(0, -100))),
        Row(
            "Release after completion, request and input counted: its output leaves the unconfirmed total",
            Used, true, ServerCount.RequestAndInput, Change(output: new(0, -100))),
        Row(
            "Release after completion, everything counted: nothing changes",
            Used, true, ServerCount.Everything, default(BudgetChange)),
        Row(
            "Release after completion, output counted as produced: nothing changes",
            Used, true, ServerCount.Produced, default(BudgetChange)),
    ];

    public static TheoryData<RequestCost, ServerCount, BudgetChange> ConfirmRows =>
    [
        Row("Confirm, nothing counted: nothing changes", Reserved, ServerCount.None, default(BudgetChange)),
        Row(
            "Confirm, request and input counted: the request and its input leave the unconfirmed totals, its output hold stays",
            Reserved, ServerCount.RequestAndInput, Change(requests: new(0, -1), input: new(0, -1000))),
        Row(
            "Confirm, everything counted: the request, its input and its learned output hold leave the unconfirmed totals",
            Reserved, ServerCount.Everything, Change(requests: new(0, -1), input: new(0, -1000), output: new(0, -200))),
        Row(
            "Confirm, output counted as produced (after request and input): its learned output hold alone leaves the unconfirmed total",
            Reserved, ServerCount.Produced, Change(output: new(0, -200))),
    ];

    public static TheoryData<bool, ServerCount[]> Lifecycles =>
    [
        Lifecycle("Completed, never counted", true),
        Lifecycle("Completed, counted with its input", true, ServerCount.RequestAndInput),
        Lifecycle("Completed, counted whole on arrival", true, ServerCount.Everything),
        Lifecycle("Completed, counted with its input then as produced", true, ServerCount.RequestAndInput, ServerCount.Produced),
        Lifecycle("Given up, never counted", false),
        Lifecycle("Given up, counted with its input", false, ServerCount.RequestAndInput),
        Lifecycle("Given up, counted whole on arrival", false, ServerCount.Everything),
    ];

    [Theory]
    [MemberData(nameof(CompleteRows))]
    public void Complete_EachServerCount_ChangesTheBudgetsAsTheTableSays(RequestCost reserved, TokenUsage usage, ServerCount counted, BudgetChange expected)
    {
        Rules.Complete(reserved, usage, counted).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(ReleaseRows))]
    public void Release_EachServerCount_ChangesTheBudgetsAsTheTableSays(RequestCost held, bool completed, ServerCount counted, BudgetChange expected)
    {
        Rules.Release(held, completed, counted).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(ConfirmRows))]
    public void Confirm_EachServerCount_ChangesTheBudgetsAsTheTableSays(RequestCost held, ServerCount counted, BudgetChange expected)
    {
        Rules.Confirm(held, counted).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(Lifecycles))]
    public void Lifecycle_AdmittedConfirmedCompletedReleased_LeavesNothingUnconfirmedAndChargesTheOperatorWhatWasUsed(bool completed, ServerCount[] confirmations)
    {
        // Admission takes one request, the input estimate and the output hold, all unconfirmed.
        var total = new BudgetChange(new(1, 1), new(Reserved.InputTokens, Reserved.InputTokens), new(Reserved.LearnedOutputTokens, Reserved.LearnedOutputTokens), Reserved.InputTokens, Reserved.OutputTokens);
        var counted = ServerCount.None;
        foreach (var confirmation in confirmations)
        {
            total += Rules.Confirm(Reserved, confirmation);
            counted = confirmation;
        }

        total += completed
            ? Rules.Complete(Reserved, Usage, counted) + Rules.Release(Used, completed: true, counted)
            : Rules.Release(Reserved, completed: false, counted);

        (total.Requests.Unconfirmed, total.InputTokens.Unconfirmed, total.OutputTokens.Unconfirmed).ShouldBe((0, 0, 0));
        (total.OperatorInputTokens, total.OperatorOutputTokens).ShouldBe(completed ? (1200, 100) : (0, 0));
    }

    private static BudgetChange Change(
        BudgetDelta requests = default,
        BudgetDelta input = default,
        BudgetDelta output = default,
        double operatorInput = 0,
        double operatorOutput = 0) => new(requests, input, output, operatorInput, operatorOutput);

    private static TheoryDataRow<T1, T2, T3, T4> Row<T1, T2, T3, T4>(string sentence, T1 p1, T2 p2, T3 p3, T4 p4) => new(p1, p2, p3, p4) { TestDisplayName = sentence };

    private static TheoryDataRow<T1, T2, T3> Row<T1, T2, T3>(string sentence, T1 p1, T2 p2, T3 p3) => new(p1, p2, p3) { TestDisplayName = sentence };

    private static TheoryDataRow<bool, ServerCount[]> Lifecycle(string path, bool completed, params ServerCount[] confirmations) =>
        new(completed, confirmations) { TestDisplayName = $"Lifecycle, {path}: nothing stays unconfirmed and the operator budgets hold what was used" };
}
