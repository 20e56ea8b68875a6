using Pacer.Usage;

namespace Pacer.Tests.Usage;

public sealed class UsageQueryTests
{
    [Fact]
    public void TryParse_NothingGiven_AllTimeAllUsersOneTotal()
    {
        UsageQuery.TryParse(null, "", "  ", null, out var query, out var error).ShouldBeTrue();

        error.ShouldBeNull();
        query.ShouldBe(new UsageQuery(), new UsageQueryComparer());
    }

    [Fact]
    public void TryParse_DatesAndGroups_ToIncludesTheWholeDay()
    {
        UsageQuery.TryParse("2025-01-01", "2025-01-31", " alice ", "Day, user,day", out var query, out _).ShouldBeTrue();

        query.From.ShouldBe(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        query.To.ShouldBe(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));
        query.User.ShouldBe("alice");
        query.GroupBy.ShouldBe([UsageGroup.Day, UsageGroup.User]);
    }

    [Fact]
    public void TryParse_DateTimesWithZones_AreConvertedToUtc()
    {
        UsageQuery.TryParse("2025-01-01T12:30:00+02:00", "2025-01-02T00:00:00.5Z", null, "endpoint,model", out var query, out _).ShouldBeTrue();

        query.From.ShouldBe(new DateTimeOffset(2025, 1, 1, 10, 30, 0, TimeSpan.Zero));
        query.From!.Value.Offset.ShouldBe(TimeSpan.Zero);
        query.To.ShouldBe(new DateTimeOffset(2025, 1, 2, 0, 0, 0, 500, TimeSpan.Zero));
        query.GroupBy.ShouldBe([UsageGroup.Endpoint, UsageGroup.Model]);
    }

    [Theory]
    [InlineData("yesterday", null, null, null, "from \"yesterday\" is not a date (2025-01-31) or a date-time with a zone (2025-01-31T12:00:00Z).")]
    [InlineData("2025-13-01", null, null, null, "from \"2025-13-01\" is not a date")]
    [InlineData("2025-01-01T10:00:00", null, null, null, "from \"2025-01-01T10:00:00\" is not a date")]
    [InlineData("1735689600", null, null, null, "from \"1735689600\" is not a date")]
    [InlineData(null, "2025-02-30", null, null, "to \"2025-02-30\" is not a date")]
    [InlineData("2025-02-01", "2025-01-01", null, null, "from (2025-02-01T00:00:00Z) must be before to (2025-01-02T00:00:00Z).")]
    [InlineData("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", null, null, "from (2025-01-01T00:00:00Z) must be before to")]
    [InlineData(null, null, null, "week", "groupBy \"week\" is not one of: user, endpoint, model, day.")]
    [InlineData(null, null, null, "user,1", "groupBy \"1\" is not one of")]
    [InlineData(null, null, null, "user;day", "groupBy \"user;day\" is not one of")]
    [InlineData(null, null, "a\u0000b", null, "user must be at most 256 characters without control characters.")]
    public void TryParse_Malformed_FailsWithMessageNamingTheParameter(string? from, string? to, string? user, string? groupBy, string expected)
    {
        UsageQuery.TryParse(from, to, user, groupBy, out var query, out var error).ShouldBeFalse();

        query.ShouldBeNull();
        error.ShouldNotBeNull();
        error.ShouldStartWith(expected);
    }

    [Fact]
    public void TryParse_UserTooLong_Fails()
    {
        UsageQuery.TryParse(null, null, new string('u', 257), null, out _, out var error).ShouldBeFalse();

        error.ShouldBe("user must be at most 256 characters without control characters.");
    }

    private sealed class UsageQueryComparer : IEqualityComparer<UsageQuery>
    {
        public bool Equals(UsageQuery? x, UsageQuery? y) =>
            x!.From == y!.From && x.To == y.To && x.User == y.User && x.GroupBy.SequenceEqual(y.GroupBy);

        public int GetHashCode(UsageQuery obj) => 0;
    }
}
