"""Electronic transfer manifests (电子转移联单) per 部令第23号, and their track points."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import Field, StringConstraints

from ._base import (
    CATALOGUE,
    ORDER_23,
    Category,
    Contact,
    ContractModel,
    Form,
    Hazard,
    LabelId,
    ManifestNo,
    Method,
    Name,
    Plate,
    PositiveTonnes,
    RegionCode,
    ShortCode,
    Text,
    Timestamp,
    Tonnes,
    Uscc,
    WasteCode,
    field,
    hazards_field,
)

LegacyNo = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ManifestStatus(enum.StrEnum):
    """Lifecycle: draft → submitted → in_transit → received | rejected; draft/submitted → cancelled."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class TransportMode(enum.StrEnum):
    """Mode of one transport leg (the code table local platforms use: 汽车, 火车, 轮船, 管道...)."""

    ROAD = "road"
    RAIL = "rail"
    WATER = "water"
    PIPELINE = "pipeline"
    AIR = "air"
    OTHER = "other"


class Party(ContractModel):
    """A party of a manifest: shipper (移出人) or receiver (接受人)."""

    uscc: Uscc = field("统一社会信用代码", "Credit code of the party", ORDER_23 + " 第十条")
    name: Name = field("单位名称", "Name of the party", ORDER_23 + " 第十条")
    region_code: RegionCode = field("行政区划代码", "Administrative division code of the site", ORDER_23 + " 第十五条")
    address: Text = field("地址", "Site address", ORDER_23 + " 第十条")
    contact: Contact = field("联系人和联系方式", "Contact person and telephone", ORDER_23 + " 第十条")


class Carrier(Party):
    """A carrier (承运人) leg: the party plus its vehicle and road transport permit."""

    leg: int = field("运输顺序", "Order of this leg, 1 for the first carrier", ORDER_23 + " 第十七条", ge=1, le=20)
    mode: TransportMode = field("运输方式", "Transport mode", ORDER_23 + " 第十一条", default=TransportMode.ROAD)
    vehicle_plate: Plate = field("车牌号", "Vehicle plate per GA 36-2018", ORDER_23 + " 第十一条")
    road_permit_no: ShortCode = field("道路运输证号", "Road transport permit of the vehicle", ORDER_23 + " 第十一条")
    driver: Name | None = field("驾驶员", "Driver name", ORDER_23 + " 第十一条", default=None)


class ManifestItem(ContractModel):
    """One waste line of a manifest."""

    line_no: int = field("序号", "Line number, from 1", ORDER_23 + " 第十条", ge=1, le=999)
    waste_code: WasteCode = field("废物代码", "Eight-digit waste code", CATALOGUE)
    waste_name: Name = field("废物名称", "Waste name", ORDER_23 + " 第十条")
    waste_category: Category = field("废物类别", "Waste category HWxx", CATALOGUE)
    form: Form = field("废物形态", "Physical form", ORDER_23 + " 第十条")
    hazards: list[Hazard] = hazards_field(ORDER_23 + " 第十条")
    packaging: Name = field("包装方式", "Packaging type", ORDER_23 + " 第十条")
    package_count: int = field("包装数量", "Number of packages", ORDER_23 + " 第十条", ge=1, le=100000)
    quantity_t: PositiveTonnes = field("转移数量（吨）", "Shipped quantity in tonnes", ORDER_23 + " 第十条")
    method: Method = field("利用处置方式", "Intended utilisation/disposal method", ORDER_23 + " 第十二条")
    label_ids: list[LabelId] = field(
        "容器标签数字识别码",
        "Label ids of the containers on this line",
        ORDER_23 + " 第十三条",
        default_factory=list,
        max_length=1000,
    )
    received_t: Tonnes | None = field(
        "接受数量（吨）", "Quantity the receiver accepted", ORDER_23 + " 第十二条", default=None
    )


class Manifest(ContractModel):
    """An electronic transfer manifest: parties, waste lines, transport and receipt."""

    manifest_no: ManifestNo | None = field(
        "联单编号",
        "National 14-digit number: year, province, prefecture, 6-digit serial; assigned nationally",
        ORDER_23 + " 第十五条",
        default=None,
    )
    local_ref: LegacyNo | None = field(
        "地方联单编号",
        "The local system's own number (e.g. a legacy 16-digit number)",
        ORDER_23 + " 第二十条",
        default=None,
    )
    status: ManifestStatus = field("状态", "Lifecycle status", ORDER_23 + " 第七条", default=ManifestStatus.DRAFT)
    shipper: Party = field("移出人", "The shipper", ORDER_23 + " 第十条")
    carriers: list[Carrier] = field(
        "承运人", "Carriers in leg order", ORDER_23 + " 第十一条", min_length=1, max_length=20
    )
    receiver: Party = field("接受人", "The receiver", ORDER_23 + " 第十二条")
    receiver_license_no: ShortCode = field("接受人许可证编号", "Receiver's operating licence", ORDER_23 + " 第十条")
    approval_no: ShortCode | None = field(
        "跨省转移批准文号",
        "Cross-province approval; required when provinces differ",
        ORDER_23 + " 第二十一条",
        default=None,
    )
    items: list[ManifestItem] = field("危险废物", "Waste lines", ORDER_23 + " 第十条", min_length=1, max_length=100)
    emergency_measures: Text | None = field(
        "应急措施", "Emergency measures for the waste", ORDER_23 + " 第十条", default=None
    )
    created_at: Timestamp = field("填写时间", "When the shipper filled in the manifest", ORDER_23 + " 第十条")
    dispatched_at: Timestamp | None = field(
        "起运时间", "When the first carrier left", ORDER_23 + " 第十一条", default=None
    )
    received_at: Timestamp | None = field(
        "接受时间", "When the receiver took delivery", ORDER_23 + " 第十二条", default=None
    )
    significant_discrepancy: bool = field(
        "重大差异", "Receiver found a significant discrepancy", ORDER_23 + " 第十八条", default=False
    )
    discrepancy_note: Text | None = field("差异说明", "What differed", ORDER_23 + " 第十八条", default=None)
    rejection_reason: Text | None = field("拒收原因", "Why the receiver refused", ORDER_23 + " 第十二条", default=None)


class TrackPoint(ContractModel):
    """One position of the transport track, WGS-84 decimal degrees."""

    recorded_at: Timestamp = field("定位时间", "Time of the fix", ORDER_23 + " 第十一条")
    lat: float = field("纬度", "Latitude, WGS-84 decimal degrees", ORDER_23 + " 第十一条", ge=-90, le=90)
    lon: float = field("经度", "Longitude, WGS-84 decimal degrees", ORDER_23 + " 第十一条", ge=-180, le=180)
    speed_kmh: float = field("速度（km/h）", "Ground speed", ORDER_23 + " 第十一条", ge=0, le=250, default=0.0)
    heading_deg: float = field(
        "方向（度）", "Heading, clockwise from north", ORDER_23 + " 第十一条", ge=0, lt=360, default=0.0
    )
    vehicle_plate: Plate | None = field("车牌号", "Vehicle that recorded the fix", ORDER_23 + " 第十一条", default=None)


class TrackBatch(ContractModel):
    """A batch of track points appended to one manifest."""

    manifest_no: ManifestNo = field("联单编号", "Manifest the track belongs to", ORDER_23 + " 第十五条")
    points: list[TrackPoint] = Field(
        title="轨迹点",
        description="Track points in time order [" + ORDER_23 + " 第十一条]",
        min_length=1,
        max_length=5000,
    )


__all__ = ["Carrier", "Contact", "Manifest", "ManifestItem", "ManifestStatus", "Party", "TrackBatch", "TrackPoint"]
