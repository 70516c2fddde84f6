'use client';
import { Card, Col, Row } from 'antd';
import type { ReactNode } from 'react';

/** Centred card used by the sign-in, sign-up and reset pages. */
export function AuthCard({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <Row justify="center" style={{ marginTop: 32 }}>
      <Col xs={24} sm={20} md={12} lg={9} xl={8}>
        <Card title={title}>{children}</Card>
      </Col>
    </Row>
  );
}
