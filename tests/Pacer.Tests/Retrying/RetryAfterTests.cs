using Pacer.Retrying;
using Pacer.Tests.Support;

namespace Pacer.Tests.Retrying;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2", 2_000.0)]
    [InlineData("0", 0.0)]
    [InlineData(" 3 ", 3_000.0)]
    [InlineData("1.5", 1_500.0)]
    [InlineData("0.25", 250.0)]
    [InlineData("+4", 4_000.0)]
    [InlineData("60", 60_000.0)]
    [InlineData("86400", 86_400_000.0)]
    [InlineData("Wed, 01 Jan 2025 12:00:30 GMT", 30_000.0)]
    [InlineData("Wed, 01 Jan 2025 12:01:00 GMT", 60_000.0)]
    [InlineData("Wednesday, 01-Jan-25 12:00:05 GMT", 5_000.0)]
    [InlineData("Wed Jan  1 12:00:20 2025", 20_000.0)]
    [InlineData("Wed, 01 Jan 2025 12:00:00 GMT", 0.0)]
    [InlineData("Wed, 01 Jan 2025 11:59:00 GMT", 0.0)]
    [InlineData("Mon, 01 Jan 2024 00:00:00 GMT", 0.0)]
    public void ParseSeconds_Valid_GivesTheWait(string value, double expectedMilliseconds) =>
        RetryAfter.ParseSeconds(value, Now).ShouldBe(TimeSpan.FromMilliseconds(expectedMilliseconds));

    [Theory]
    [InlineData("-1")]
    [InlineData("-0.5")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("NaN")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("1.2.3")]
    [InlineData("5 seconds")]
    [InlineData("Wed, 32 Jan 2025 12:00:00 GMT")]
    public void ParseSeconds_GarbageOrNegative_IsIgnored(string value) =>
        RetryAfter.ParseSeconds(value, Now).ShouldBeNull();

    [Theory]
    [InlineData("1e300")]
    [InlineData("Infinity")]
    [InlineData("99999999999999999999")]
    public void ParseSeconds_TooLargeForATimeSpan_IsTheLongestTimeSpan(string value) =>
        RetryAfter.ParseSeconds(value, Now).ShouldBe(TimeSpan.MaxValue);

    [Fact]
    public void ParseSeconds_FarFutureDate_IsLongerThanTheLongestWait() =>
        RetryAfter.ParseSeconds("Fri, 31 Dec 9999 23:59:59 GMT", Now)!.Value.ShouldBeGreaterThan(RetryAfter.Longest);

    [Theory]
    [InlineData("1500", 1_500.0)]
    [InlineData("0", 0.0)]
    [InlineData("250.5", 250.5)]
    [InlineData("120000", 120_000.0)]
    public void ParseMilliseconds_Valid_GivesTheWait(string value, double expectedMilliseconds) =>
        RetryAfter.ParseMilliseconds(value).ShouldBe(TimeSpan.FromMilliseconds(expectedMilliseconds));

    [Theory]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("Wed, 01 Jan 2025 12:00:30 GMT")]
    public void ParseMilliseconds_GarbageOrNegative_IsIgnored(string value) =>
        RetryAfter.ParseMilliseconds(value).ShouldBeNull();

    [Fact]
    public void From_BothHeaders_PrefersMilliseconds()
    {
        using var response = Responses.RateLimited("5", ("retry-after-ms", "1500"));

        RetryAfter.From(response.Headers, Now).ShouldBe(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public void From_GarbageMilliseconds_FallsBackToSeconds()
    {
        using var response = Responses.RateLimited("5", ("retry-after-ms", "later"));

        RetryAfter.From(response.Headers, Now).ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void From_GarbageSeconds_IsIgnored()
    {
        using var response = Responses.RateLimited("whenever");

        RetryAfter.From(response.Headers, Now).ShouldBeNull();
    }

    [Fact]
    public void From_NoHeader_IsNull()
    {
        using var response = Responses.RateLimited();

        RetryAfter.From(response.Headers, Now).ShouldBeNull();
    }

    [Fact]
    public void From_HttpDate_IsRelativeToTheGivenNow()
    {
        using var response = Responses.RateLimited("Wed, 01 Jan 2025 12:00:10 GMT");

        RetryAfter.From(response.Headers, Now).ShouldBe(TimeSpan.FromSeconds(10));
        RetryAfter.From(response.Headers, Now.AddSeconds(4)).ShouldBe(TimeSpan.FromSeconds(6));
    }
}
