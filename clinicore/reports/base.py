"""What every report is made of: a summary, tables and charts, plus the data the API returns."""

from dataclasses import dataclass, field

from clinicore.reports import charts


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list]


@dataclass
class Chart:
    title: str
    points: list[tuple[str, object]]
    kind: str = "bar"  # bar: over time; hbar: categories

    def svg(self, chart_id: str) -> str:
        draw = charts.bar_chart if self.kind == "bar" else charts.hbar_chart
        return draw(self.title, self.points, chart_id=chart_id)


@dataclass
class Report:
    kind: str
    title: str
    clinic_name: str
    start: str
    end: str
    time_zone: str
    summary: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def chart_svgs(self) -> list[str]:
        return [chart.svg(f"chart-{self.kind}-{i}") for i, chart in enumerate(self.charts)]
